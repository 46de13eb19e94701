// A real SMTP server for the tests to receive the service's e-mails on (the `smtp-server` package).
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../scripts/embeddedServers';

/** A message received whose final answer (the 250 after its data) the sink keeps back. */
export interface UnacknowledgedMessage {
  mail: ParsedMail;
  /** Sends the answer, to a connection that may be gone. */
  acknowledge(): void;
}

export interface SmtpSink {
  url: string;
  messages: ParsedMail[];
  /** Refuse every message (as a provider that is down does) while true. */
  down: boolean;
  /** Refuse recipients for good (550), as for an address that does not exist, while true. */
  rejectRecipients: boolean;
  /** While true, each client is kept waiting after naming its sender, before its message is sent. */
  holdSenders: boolean;
  /** The clients kept waiting, while their connection lasts: call one to let it go on (if it is still there). */
  heldSenders: (() => void)[];
  /** The sessions past naming their sender whose message has not arrived yet, while their connection lasts. */
  sending: Set<string>;
  /**
   * How many of the next messages to receive without answering: each is in `messages`, but its client does not
   * know that the sink has it.
   */
  holdAcknowledgements: number;
  /** The messages received and not answered yet, in the order they arrived. */
  unacknowledged: UnacknowledgedMessage[];
  /** Stops listening: connections to the port are refused until `reopen`. Messages received are kept. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
}

/** A client gone mid-message, as a killed worker's are: nothing for the sink to report. */
function clientGone(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE';
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    messages: [],
    down: false,
    rejectRecipients: false,
    holdSenders: false,
    heldSenders: [],
    sending: new Set(),
    holdAcknowledgements: 0,
    unacknowledged: [],
    close: async () => undefined,
    reopen: async () => undefined,
  };
  // Each held client's release by session, so that one whose connection ends is no longer offered as held.
  const held = new Map<string, () => void>();
  // A closed SMTPServer answers 421 for good, so each opening is a new server on the same port.
  sink.reopen = async () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Clients still connected when the sink closes are cut off after a second, not the default 30.
      closeTimeout: 1000,
      onMailFrom(_address, session, callback) {
        const answer = () => {
          if (sink.down) return callback(new Error('service unavailable'));
          sink.sending.add(session.id);
          callback();
        };
        if (!sink.holdSenders) return answer();
        // Once only, and not to a connection that is gone.
        const release = () => {
          if (held.delete(session.id)) answer();
        };
        held.set(session.id, release);
        sink.heldSenders.push(release);
      },
      onRcptTo(_address, _session, callback) {
        if (!sink.rejectRecipients) return callback();
        const refusal = Object.assign(new Error('no such mailbox'), { responseCode: 550 });
        callback(refusal);
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            sink.messages.push(mail);
            sink.sending.delete(session.id);
            if (sink.holdAcknowledgements <= 0) return callback();
            sink.holdAcknowledgements--;
            sink.unacknowledged.push({ mail, acknowledge: () => callback() });
          })
          .catch(callback);
      },
      onClose(session) {
        sink.sending.delete(session.id);
        const release = held.get(session.id);
        if (!release) return;
        held.delete(session.id);
        const index = sink.heldSenders.indexOf(release);
        if (index >= 0) sink.heldSenders.splice(index, 1);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // smtp-server reports a client that vanishes mid-message as an error of the server's, which unheard would end
    // the test run.
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (!clientGone(error)) throw error;
    });
    sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  };
  await sink.reopen();
  return sink;
}
