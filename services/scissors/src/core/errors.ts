/**
 * Every failure the service expects carries the HTTP status it maps to and a message that is safe to show
 * the client. Anything else is a bug and is answered as 500, but the hostile inputs we know of all land here.
 */
export class ScissorsError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ScissorsError";
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string) => new ScissorsError(400, "bad_request", message);
export const forbidden = (code: string, message: string) => new ScissorsError(403, code, message);
export const notFound = (message: string) => new ScissorsError(404, "not_found", message);
export const tooLarge = (message: string) => new ScissorsError(413, "too_large", message);
export const unsupported = (message: string) => new ScissorsError(415, "unsupported_format", message);
export const unprocessable = (message: string) => new ScissorsError(422, "invalid_image", message);
export const overloaded = (message: string) => new ScissorsError(503, "overloaded", message);
export const badGateway = (message: string) => new ScissorsError(502, "bad_gateway", message);
export const timedOut = (message: string) => new ScissorsError(504, "timeout", message);
