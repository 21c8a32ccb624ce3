import assert from "node:assert/strict";
import { test } from "node:test";
import { pickAddress } from "../../src/p2p/address.ts";

const id = "QmdZQ7ZbhnvWY1J12XYKGHApJ6aufKyLNSvf8jZBrBaAVL";

test("pickAddress prefers a non-loopback IPv4 TCP address", () => {
  assert.equal(
    pickAddress([
      `/ip4/127.0.0.1/tcp/1235/p2p/${id}`,
      `/ip6/::1/tcp/1235/p2p/${id}`,
      `/ip4/10.1.2.3/tcp/1236/ws/p2p/${id}`,
      `/ip4/10.1.2.3/tcp/1235/p2p/${id}`,
      `/ip4/192.168.1.9/tcp/1235/p2p/${id}`,
    ]),
    `/ip4/10.1.2.3/tcp/1235/p2p/${id}`,
  );
});

test("pickAddress falls back to loopback IPv4 TCP, then IPv6, then anything", () => {
  assert.equal(pickAddress([`/ip4/127.0.0.1/tcp/9/ws`, `/ip6/::1/tcp/9`, `/ip4/127.0.0.1/tcp/9`]), "/ip4/127.0.0.1/tcp/9");
  assert.equal(pickAddress([`/ip4/127.0.0.1/tcp/9/ws`, `/ip6/::1/tcp/9`]), "/ip6/::1/tcp/9");
  assert.equal(pickAddress([`/ip4/127.0.0.1/tcp/9/ws`]), "/ip4/127.0.0.1/tcp/9/ws");
  assert.equal(pickAddress([]), undefined);
});
