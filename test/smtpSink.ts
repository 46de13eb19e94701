// A real SMTP server for the tests to receive the service's e-mails on (the `smtp-server` package).
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../scripts/embeddedServers';

export interface SmtpSink {
  url: string;
  messages: ParsedMail[];
  /** Refuse every message (as a provider that is down does) while true. */
  down: boolean;
  /** Refuse recipients for good (550), as for an address that does not exist, while true. */
  rejectRecipients: boolean;
  /** While true, each client is kept waiting after naming its sender, before its message is sent. */
  holdSenders: boolean;
  /** The clients kept waiting: call one to let it go on. */
  heldSenders: (() => void)[];
  /** The sessions past naming their sender whose message has not arrived yet, while their connection lasts. */
  sending: Set<string>;
  /** Stops listening: connections to the port are refused until `reopen`. Messages received are kept. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
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
    close: async () => undefined,
    reopen: async () => undefined,
  };
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
        if (sink.holdSenders) sink.heldSenders.push(answer);
        else answer();
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
            callback();
          })
          .catch(callback);
      },
      onClose(session) {
        sink.sending.delete(session.id);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  };
  await sink.reopen();
  return sink;
}
