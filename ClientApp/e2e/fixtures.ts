// Media the end-to-end tests make with ffmpeg from the evaluation set's photos, in a temporary folder.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dlibDir, type FaceBox } from "./support";

const dir = mkdtempSync(path.join(tmpdir(), "faceblur-e2e-media-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
export const photo = (name: string) => path.join(dlibDir, "images", name);

function ffmpeg(args: string[]): void {
  execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", ...args, "-y"]);
}

/**
 * A party photo (three faces the detector finds) with a fourth face it misses: one of the faces, copied sideways and
 * faded, like a picture on a poster, in the lower left. `missed` is where that face is, in the photo's pixels.
 */
export function photoWithMissedFace(name = "party.jpg"): { file: string; missed: FaceBox } {
  const file = path.join(dir, name);
  ffmpeg([
    "-i",
    photo("2008_002506.jpg"),
    "-filter_complex",
    "[0]split[a][b];[b]crop=104:134:340:66,transpose=1,eq=contrast=0.3[f];[a][f]overlay=20:225",
    "-q:v",
    "2",
    file,
  ]);
  return { file, missed: { x1: 20, y1: 225, x2: 154, y2: 329 } };
}

/** A test pattern without any face. */
export function photoWithoutFaces(): string {
  const file = path.join(dir, "pattern.jpg");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x480", "-frames:v", "1", "-q:v", "3", file]);
  return file;
}

/** A large photo (the party photo upscaled, with grain that JPEG cannot squeeze): about a megabyte to upload. */
export function largePhoto(): { file: string; bytes: number } {
  const file = path.join(dir, "large.jpg");
  ffmpeg(["-i", photo("2008_002506.jpg"), "-vf", "scale=1600:-2,noise=alls=24:allf=u", "-q:v", "2", file]);
  return { file, bytes: statSync(file).size };
}

/** A 3-second H.264 clip of a photo with faces, slowly panning. */
export function clipWithFaces(seconds = 3): string {
  const file = path.join(dir, "party.mp4");
  ffmpeg([
    "-loop",
    "1",
    "-i",
    photo("2008_002506.jpg"),
    "-t",
    String(seconds),
    "-r",
    "10",
    "-vf",
    "scale=480:-2,crop=440:in_h:'t*10':0",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    file,
  ]);
  return file;
}
