import { extensionOf } from "./validation";

function stemOf(name: string): string {
  const dot = name.lastIndexOf(".");
  const stem = (dot > 0 ? name.slice(0, dot) : name).trim();
  return stem || "photo";
}

/**
 * The name a result is saved under: the original's name with "-blurred" and the extension of the format the server
 * actually wrote (a format it cannot write comes back as PNG), e.g. "beach.jpg" -> "beach-blurred.jpg".
 */
export function blurredName(originalName: string, resultName: string): string {
  const ext = extensionOf(resultName) || extensionOf(originalName) || "png";
  return `${stemOf(originalName)}-blurred.${ext}`;
}

/** "3-photos-blurred.zip" */
export function zipName(count: number): string {
  return `${count}-photos-blurred.zip`;
}

/** "party.mov" -> "party-blurred.mp4": every video comes back as MP4. */
export function videoName(originalName: string): string {
  return `${stemOf(originalName)}-blurred.mp4`;
}
