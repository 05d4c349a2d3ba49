import { describe, expect, it } from "vitest";
import { facesFromComment, readZip } from "./zip";

/** A stored (uncompressed) zip built by hand, as the server writes one. */
function storedZip(entries: { name: string; data: string; comment: string }[]): ArrayBuffer {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const data = enc.encode(e.data);
    const comment = enc.encode(e.comment);
    const local = new DataView(new ArrayBuffer(30 + name.length + data.length));
    local.setUint32(0, 0x04034b50, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, name.length, true);
    new Uint8Array(local.buffer).set(name, 30);
    new Uint8Array(local.buffer).set(data, 30 + name.length);
    const central = new DataView(new ArrayBuffer(46 + name.length + comment.length));
    central.setUint32(0, 0x02014b50, true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, data.length, true);
    central.setUint16(28, name.length, true);
    central.setUint16(32, comment.length, true);
    central.setUint32(42, offset, true);
    new Uint8Array(central.buffer).set(name, 46);
    new Uint8Array(central.buffer).set(comment, 46 + name.length);
    locals.push(new Uint8Array(local.buffer));
    centrals.push(new Uint8Array(central.buffer));
    offset += local.byteLength;
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

describe("readZip", () => {
  it("reads entries in order with their comments and image types", async () => {
    const zip = storedZip([
      { name: "a.jpg", data: "AAA", comment: "faces=2" },
      { name: "b (2).png", data: "BB", comment: "faces=0" },
    ]);
    const entries = await readZip(zip);
    expect(entries.map((e) => [e.name, e.comment, e.data.type])).toEqual([
      ["a.jpg", "faces=2", "image/jpeg"],
      ["b (2).png", "faces=0", "image/png"],
    ]);
    expect(await entries[0]!.data.text()).toBe("AAA");
    expect(entries.map((e) => facesFromComment(e.comment))).toEqual([2, 0]);
  });

  it("refuses what is not a zip", async () => {
    await expect(readZip(new TextEncoder().encode("hello").buffer as ArrayBuffer)).rejects.toThrow(
      "Not a zip archive.",
    );
  });

  it("reads no count from a comment without one", () => {
    expect(facesFromComment("")).toBeNull();
  });
});
