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
  close(): Promise<void>;
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
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      const answer = () => (sink.down ? callback(new Error('service unavailable')) : callback());
      if (sink.holdSenders) sink.heldSenders.push(answer);
      else answer();
    },
    onRcptTo(_address, _session, callback) {
      if (!sink.rejectRecipients) return callback();
      const refusal = Object.assign(new Error('no such mailbox'), { responseCode: 550 });
      callback(refusal);
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          sink.messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
