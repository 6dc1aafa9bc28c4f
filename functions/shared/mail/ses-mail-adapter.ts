import { type SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import type { Mailer, OutgoingEmail } from './mailer-port.ts';
import { markNotSent } from './mailer-port.ts';

export interface SesMailerConfig {
  client: SESv2Client;
  /** A verified SES identity (SENDER_EMAIL). */
  from: string;
  /** SES_CONFIGURATION_SET, for delivery, bounce and complaint events. */
  configurationSetName?: string;
}

/** Custom header carrying the caller's message key, so a bounce or a suspected duplicate can be traced to its journey. */
export const MESSAGE_KEY_HEADER = 'X-Patient-Access-Message-Key';

const TRANSIENT_SES_ERRORS = new Set(['TooManyRequestsException', 'ThrottlingException', 'ServiceUnavailableException', 'InternalFailure']);
/** Network failures that happen before a request reaches SES: nothing can have been sent. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * Mailer over SES v2 SendEmail with Simple content and attachments (SES builds the MIME message; supported by
 * @aws-sdk/client-sesv2 and by the aws-ses-v2-local emulator, so the same request runs in both).
 */
export function sesMailer(options: SesMailerConfig): Mailer {
  return { send: (email) => sendEmail(options, email) };
}

async function sendEmail(config: SesMailerConfig, email: OutgoingEmail): Promise<{ messageId: string }> {
  const command = new SendEmailCommand({
    FromEmailAddress: config.from,
    Destination: { ToAddresses: [email.to] },
    ...(email.replyTo ? { ReplyToAddresses: [email.replyTo] } : {}),
    ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: email.text, Charset: 'UTF-8' },
          ...(email.html ? { Html: { Data: email.html, Charset: 'UTF-8' } } : {}),
        },
        Headers: [{ Name: MESSAGE_KEY_HEADER, Value: email.idempotencyKey }],
        ...(email.attachments?.length
          ? {
              Attachments: email.attachments.map((a) => ({
                FileName: a.filename,
                ContentType: a.contentType,
                ContentDisposition: 'ATTACHMENT' as const,
                ContentTransferEncoding: 'BASE64' as const,
                RawContent: typeof a.content === 'string' ? new TextEncoder().encode(a.content) : a.content,
              })),
            }
          : {}),
      },
    },
  });
  try {
    const { MessageId } = await config.client.send(command);
    if (!MessageId) throw new Error('SES returned no MessageId');
    return { messageId: MessageId };
  } catch (error) {
    throw classifySesError(error);
  }
}

/** Throttling, SES 5xx and network failures are retried by the workflow; SES's own answers mean nothing was sent. */
export function classifySesError(error: unknown): Error {
  if (error instanceof SESv2ServiceException) {
    const transient =
      TRANSIENT_SES_ERRORS.has(error.name) ||
      error.$fault === 'server' ||
      (error.$metadata.httpStatusCode ?? 0) >= 500 ||
      !!error.$retryable?.throttling;
    const wrapped = transient
      ? new TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable, `SES answered ${error.name}`, { cause: error })
      : new Error(`SES rejected the message: ${error.name}`, { cause: error });
    return markNotSent(wrapped);
  }
  const code = (error as { code?: unknown }).code;
  const name = (error as Error).name;
  if (typeof code === 'string' || name === 'TimeoutError' || name === 'AbortError') {
    const wrapped = new TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable, `SES unreachable: ${code ?? name}`, {
      cause: error,
    });
    return typeof code === 'string' && NOT_CONNECTED_CODES.has(code) ? markNotSent(wrapped) : wrapped;
  }
  return error instanceof Error ? error : new Error(String(error));
}
