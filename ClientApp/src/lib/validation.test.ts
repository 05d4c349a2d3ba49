import { describe, expect, it } from "vitest";
import type { Limits } from "./api";
import { acceptAttribute, validateSelection, videoDurationProblem } from "./validation";

const limits: Limits = {
  image_extensions: ["jpg", "jpeg", "png"],
  video_extensions: ["mp4", "mov"],
  max_upload_mb: 1,
  max_upload_files: 3,
  max_video_mb: 2,
  max_video_seconds: 60,
  modes: ["blur", "pixelate", "solid"],
  shapes: ["ellipse", "rect"],
};
const file = (name: string, bytes = 10) => new File([new Uint8Array(bytes)], name);
const MB = 1024 * 1024;

describe("validateSelection", () => {
  it("accepts photos by the server's extensions, case-insensitively", () => {
    const s = validateSelection([file("a.JPG"), file("b.png")], limits);
    expect(s).toMatchObject({ kind: "image", problems: [] });
    expect(s.files.map((f) => f.name)).toEqual(["a.JPG", "b.png"]);
  });

  it("refuses unsupported types with the list of what is accepted", () => {
    const s = validateSelection([file("notes.txt"), file("noext")], limits);
    expect(s.files).toEqual([]);
    expect(s.kind).toBeNull();
    expect(s.problems[0]).toBe("“notes.txt” is not a supported type. Photos: jpg, jpeg or png; videos: mp4 or mov.");
    expect(s.problems).toHaveLength(2);
  });

  it("refuses files over the size limits and empty files", () => {
    const s = validateSelection(
      [file("big.jpg", MB + 1), file("ok.jpg", MB), file("empty.png", 0), file("v.mp4", 2 * MB + 1)],
      limits,
    );
    expect(s.files.map((f) => f.name)).toEqual(["ok.jpg"]);
    expect(s.problems).toEqual([
      "“big.jpg” is too large: photos can be up to 1 MB each.",
      "“empty.png” is empty.",
      "“v.mp4” is too large: a video can be up to 2 MB.",
    ]);
  });

  it("keeps at most max_upload_files photos, adding to what is already chosen", () => {
    const current = [file("a.jpg"), file("b.jpg")];
    const s = validateSelection([file("c.jpg"), file("d.jpg"), file("a.jpg")], limits, current);
    expect(s.files.map((f) => f.name)).toEqual(["a.jpg", "b.jpg", "c.jpg"]);
    expect(s.problems).toEqual(["Up to 3 photos can be processed at once; the first 3 were kept."]);
  });

  it("takes one video, which replaces photos, and says so when more was dropped", () => {
    expect(validateSelection([file("clip.mov")], limits, [file("a.jpg")])).toMatchObject({
      kind: "video",
      problems: [],
    });
    const s = validateSelection([file("a.jpg"), file("one.mp4"), file("two.mp4")], limits);
    expect(s.files.map((f) => f.name)).toEqual(["one.mp4"]);
    expect(s.problems).toEqual(["Choose many photos or one video at a time, not both. The first video was kept."]);
  });

  it("checks a video's duration", () => {
    expect(videoDurationProblem(59, limits)).toBeNull();
    expect(videoDurationProblem(Number.NaN, limits)).toBeNull();
    expect(videoDurationProblem(90, limits)).toBe("This video is 1 min 30 s long; videos can be up to 1 minute.");
  });

  it("builds the picker's accept attribute from the server's lists", () => {
    expect(acceptAttribute(limits)).toBe(".jpg,.jpeg,.png,.mp4,.mov");
  });
});
