/**
 * Unary gRPC calls over node:http2 (the gRPC-over-HTTP/2 wire protocol), with messages from the code
 * ts-proto generates from proto/ (proto/generated/messages). The functions make only unary calls to one
 * server; @grpc/grpc-js with its protobufjs and proto-loader dependencies is larger than a whole function's
 * size budget (issue 10), so the functions speak the protocol directly. The billing server and the tests
 * still use grpc-js, which checks this client against the reference implementation end to end.
 *
 * One HTTP/2 connection per container, opened on first use and reused; a call carries a deadline
 * (`grpc-timeout`), and one that fails UNAVAILABLE is retried with backoff while its deadline allows (every
 * billing method is idempotent). A connection idle for a while, or silent past a call's deadline, is
 * replaced: after a Lambda container thaws, its old TCP connection may lead nowhere.
 */
import type http2 from 'node:http2';
import { createRequire } from 'node:module';

/**
 * node:http2, loaded with the first connection rather than at import: loading it costs several milliseconds
 * of a cold start, and the outbox relay's sweeps mostly find nothing to deliver.
 */
let http2Module: typeof http2 | undefined;
const loadHttp2 = () => (http2Module ??= createRequire(import.meta.url)('node:http2') as typeof http2);

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), as grpc-js's `status`. */
export const status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const statusNames = Object.fromEntries(Object.entries(status).map(([name, code]) => [code, name])) as Record<number, string>;

/** A call that ended with a non-OK status; `code` and `details` as on grpc-js's ServiceError. */
export class GrpcCallError extends Error {
  override readonly name = 'GrpcCallError';
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${statusNames[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: object): T;
}

export interface UnaryMethod<Request, Response> {
  name: string;
  requestType: MessageCodec<Request>;
  responseType: MessageCodec<Response>;
}

export interface ChannelOptions {
  /** Connections unused for this long are replaced before the next call. */
  maxIdleMs: number;
  /** UNAVAILABLE calls are tried up to this many times in all. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

const defaults: ChannelOptions = { maxIdleMs: 30_000, maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 400 };
const PING_TIMEOUT_MS = 1_000;

// HTTP statuses of a response without a gRPC status, mapped as the gRPC spec says (doc/http-grpc-status-mapping.md).
const fromHttpStatus: Record<number, number> = { 400: status.INTERNAL, 401: status.UNAUTHENTICATED, 403: status.PERMISSION_DENIED, 404: status.UNIMPLEMENTED, 429: status.UNAVAILABLE, 502: status.UNAVAILABLE, 503: status.UNAVAILABLE, 504: status.UNAVAILABLE };

export class GrpcChannel {
  private session: http2.ClientHttp2Session | undefined;
  private lastUsed = 0;
  private inFlight = 0;
  private readonly options: ChannelOptions;

  constructor(
    private readonly address: string,
    private readonly service: string,
    options: Partial<ChannelOptions> = {},
  ) {
    this.options = { ...defaults, ...options };
  }

  async call<Request, Response>(method: UnaryMethod<Request, Response>, request: object, deadlineMs: number): Promise<Response> {
    const deadline = Date.now() + deadlineMs;
    const message = method.requestType.encode(method.requestType.fromPartial(request)).finish();
    const body = Buffer.alloc(5 + message.byteLength);
    body.writeUInt32BE(message.byteLength, 1); // byte 0: not compressed
    body.set(message, 5);
    for (let attempt = 1; ; attempt++) {
      try {
        return method.responseType.decode(await this.attempt(`/${this.service}/${method.name}`, body, deadline));
      } catch (error) {
        const backoff = Math.random() * Math.min(this.options.initialBackoffMs * 2 ** (attempt - 1), this.options.maxBackoffMs);
        const retryable = error instanceof GrpcCallError && error.code === status.UNAVAILABLE;
        if (!retryable || attempt >= this.options.maxAttempts || Date.now() + backoff >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  private connection(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed && Date.now() - this.lastUsed < this.options.maxIdleMs) return current;
    current?.close();
    const session = loadHttp2().connect(`http://${this.address}`);
    // Failures reach the calls through their streams; the session's own error event must not go unheard.
    session.on('error', () => undefined);
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.once('close', forget);
    session.once('goaway', forget);
    this.session = session;
    return session;
  }

  /** Calls in flight keep the process alive; an idle connection does not (tests and scripts exit on their own). */
  private track(session: http2.ClientHttp2Session, delta: 1 | -1): void {
    this.inFlight += delta;
    if (session.destroyed) return;
    if (this.inFlight > 0) session.ref();
    else session.unref();
  }

  private attempt(path: string, body: Buffer, deadline: number): Promise<Uint8Array> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.reject(new GrpcCallError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    let session: http2.ClientHttp2Session;
    let stream: http2.ClientHttp2Stream;
    try {
      session = this.connection();
      stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.ceil(remaining)}m`,
      });
    } catch (error) {
      this.session = undefined;
      return Promise.reject(new GrpcCallError(status.UNAVAILABLE, (error as Error).message));
    }
    this.lastUsed = Date.now();
    this.track(session, 1);
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      let answered = false;
      let httpStatus = 0;
      let grpcStatus: number | undefined;
      let grpcMessage = '';
      const chunks: Buffer[] = [];
      const settle = (error: GrpcCallError | undefined, message?: Uint8Array) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.track(session, -1);
        if (error) reject(error);
        else resolve(message as Uint8Array);
      };
      const timer = setTimeout(() => {
        stream.close(loadHttp2().constants.NGHTTP2_CANCEL);
        // Not a word from the server in the whole deadline: make sure the connection still leads somewhere.
        if (!answered) this.probe(session);
        settle(new GrpcCallError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
      }, remaining);
      const readStatus = (headers: http2.IncomingHttpHeaders) => {
        if (headers['grpc-status'] === undefined) return;
        grpcStatus = Number(headers['grpc-status']);
        grpcMessage = decodeMessage(String(headers['grpc-message'] ?? ''));
      };
      stream.on('response', (headers) => {
        answered = true;
        httpStatus = Number(headers[':status']);
        readStatus(headers); // a "trailers-only" answer carries its status in the headers
      });
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => settle(new GrpcCallError(status.UNAVAILABLE, error.message)));
      stream.on('close', () => {
        if (grpcStatus === undefined) {
          const code = httpStatus && httpStatus !== 200 ? (fromHttpStatus[httpStatus] ?? status.UNKNOWN) : status.UNAVAILABLE;
          return settle(new GrpcCallError(code, httpStatus ? `HTTP ${httpStatus} without a gRPC status` : 'connection closed before an answer'));
        }
        if (grpcStatus !== status.OK) return settle(new GrpcCallError(grpcStatus, grpcMessage));
        const data = Buffer.concat(chunks);
        const length = data.byteLength >= 5 ? data.readUInt32BE(1) : -1;
        if (length < 0 || data[0] !== 0 || data.byteLength < 5 + length) {
          return settle(new GrpcCallError(status.INTERNAL, 'malformed or compressed response message'));
        }
        settle(undefined, data.subarray(5, 5 + length));
      });
      stream.end(body);
    });
  }

  private probe(session: http2.ClientHttp2Session): void {
    if (session.destroyed) return;
    const timer = setTimeout(() => session.destroy(), PING_TIMEOUT_MS);
    try {
      session.ping((error) => {
        clearTimeout(timer);
        if (error) session.destroy();
      });
    } catch {
      clearTimeout(timer);
      session.destroy();
    }
  }
}

function decodeMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
