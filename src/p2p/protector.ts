/**
 * The private-swarm connection protector: the libp2p pnet protocol (each side sends a random 24-byte
 * nonce, then every byte is XORed with XSalsa20(psk, nonce) in its direction), so it interoperates
 * with @libp2p/pnet and go-libp2p's pnet. It exists because @libp2p/pnet's cipher breaks after a few
 * tens of MiB (see xsalsa20-stream.ts). A peer with another key, or none, fails the upgrade that follows.
 */
import type {
  AbortOptions,
  ConnectionProtector,
  MessageStream,
  MultiaddrConnection,
  StreamCloseEvent,
  StreamMessageEvent,
} from "@libp2p/interface";
import { AbstractMultiaddrConnection, byteStream } from "@libp2p/utils";
import type { SendResult } from "@libp2p/utils";
import { XSalsa20Stream } from "./xsalsa20-stream.ts";

const NONCE_LENGTH = 24;
const HANDSHAKE_TIMEOUT_MS = 5_000;

interface PrivateConnectionInit {
  inner: MultiaddrConnection;
  localNonce: Uint8Array;
  remoteNonce: Uint8Array;
  psk: Uint8Array;
}

/** The protected connection: decrypts what the inner connection delivers, encrypts what it sends. */
class PrivateConnection extends AbstractMultiaddrConnection {
  readonly #inner: MultiaddrConnection;
  readonly #in: XSalsa20Stream;
  readonly #out: XSalsa20Stream;

  constructor(init: PrivateConnectionInit) {
    super({
      log: init.inner.log.newScope("private"),
      remoteAddr: init.inner.remoteAddr,
      direction: init.inner.direction,
    });
    this.#inner = init.inner;
    this.#in = new XSalsa20Stream(init.remoteNonce, init.psk);
    this.#out = new XSalsa20Stream(init.localNonce, init.psk);
    // Received bytes are decrypted in place: the socket's buffers belong to this connection alone,
    // and a copy per chunk was a large share of the garbage a bulk transfer makes.
    this.#inner.addEventListener("message", (evt: StreamMessageEvent) => {
      const data = evt.data;
      if (data instanceof Uint8Array) this.onData(this.#in.xor(data));
      else for (const chunk of data) this.onData(this.#in.xor(chunk));
    });
    this.#inner.addEventListener("drain", () => this.onMuxerDrain());
    this.#inner.addEventListener("close", (evt: StreamCloseEvent) => {
      if (evt.error == null) this.onTransportClosed();
      else if (evt.local === true) this.abort(evt.error);
      else this.onRemoteReset();
    });
  }

  async sendClose(options?: AbortOptions): Promise<void> {
    await this.#inner.close(options);
  }

  sendData(data: Parameters<AbstractMultiaddrConnection["sendData"]>[0]): SendResult {
    // Outgoing buffers still belong to the layer above, so they are encrypted into one fresh copy
    // (which also joins the noise frames into a single socket write).
    const sealed = new Uint8Array(data.byteLength);
    let offset = 0;
    for (const chunk of data) {
      sealed.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { sentBytes: data.byteLength, canSendMore: this.#inner.send(this.#out.xor(sealed)) };
  }

  sendReset(err: Error): void {
    this.#inner.abort(err);
  }

  sendPause(): void {
    this.#inner.pause();
  }

  sendResume(): void {
    this.#inner.resume();
  }
}

function isMultiaddrConnection(s: MessageStream): s is MultiaddrConnection {
  return "remoteAddr" in s;
}

class PrivateSwarmProtector implements ConnectionProtector {
  readonly #psk: Uint8Array;
  readonly [Symbol.toStringTag] = "bacalhau-edge/private-swarm";

  constructor(psk: Uint8Array) {
    this.#psk = psk.slice();
  }

  async protect(connection: MessageStream, options?: AbortOptions): Promise<MessageStream> {
    const signal = options?.signal ?? AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS);
    const bytes = byteStream(connection);
    const localNonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
    const [remote] = await Promise.all([
      bytes.read({ bytes: NONCE_LENGTH, signal }),
      bytes.write(localNonce, { signal }),
    ]);
    const inner = bytes.unwrap();
    if (!isMultiaddrConnection(inner)) throw new TypeError("private swarm: expected a multiaddr connection");
    return new PrivateConnection({ inner, localNonce, remoteNonce: remote.subarray(), psk: this.#psk });
  }
}

/** A libp2p `connectionProtector` for the private swarm whose 32-byte key is `psk`. */
export function privateSwarm(psk: Uint8Array): () => ConnectionProtector {
  if (psk.byteLength !== 32) throw new RangeError("a swarm key is 32 bytes");
  return () => new PrivateSwarmProtector(psk);
}
