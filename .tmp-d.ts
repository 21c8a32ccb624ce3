import Docker from "dockerode";
const d = new Docker();
console.log((await d.ping()).toString());
const c = await d.createContainer({ Image: "local/busybox:1", Cmd: ["sh","-c","echo out; echo err >&2; exit 3"], HostConfig: { NetworkMode: "none" } });
const t0 = performance.now();
await c.start();
const stream = await c.attach({ stream: true, stdout: true, stderr: true });
console.log(await c.wait(), performance.now()-t0);
await c.remove({ force: true });
