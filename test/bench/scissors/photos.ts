// The benchmark's input: about 2K-pixel photographs, as in imgproxy's published benchmark. They are made
// from the real photographs that scikit-image ships in its PyPI wheel (public domain and CC0), upscaled
// to 2048 px wide with Lanczos and re-encoded as camera-like JPEG q90. Built once into the cache.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";

const version = "scikit-image-0.26.0";
const sources = [
  "astronaut.png",
  "chelsea.png",
  "coffee.png",
  "hubble_deep_field.jpg",
  "motorcycle_left.png",
  "motorcycle_right.png",
  "retina.jpg",
  "rocket.jpg",
  "brick.png",
  "gravel.png",
];

export async function benchPhotos(log: (message: string) => void): Promise<{ dir: string; names: string[] }> {
  const cache = join(homedir(), ".cache", "harbormaster");
  const dir = join(cache, `scissors-photos-${version}-v1`);
  if (existsSync(join(dir, ".done"))) {
    return {
      dir,
      names: readdirSync(dir)
        .filter((n) => n.endsWith(".jpg"))
        .sort(),
    };
  }
  const work = `${dir}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(`photos: downloading ${version} from PyPI for its sample photographs`);
  execFileSync("python3", ["-m", "pip", "download", "--quiet", "--no-deps", "-d", work, "scikit-image==0.26.0"], {
    stdio: "inherit",
  });
  const wheel = readdirSync(work).find((n) => n.endsWith(".whl"));
  if (!wheel) throw new Error("scikit-image wheel not downloaded");
  execFileSync("python3", [
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [z.extract(n, sys.argv[2]) for n in z.namelist() if n.startswith('skimage/data/')]",
    join(work, wheel),
    work,
  ]);
  const names: string[] = [];
  for (const [i, name] of sources.entries()) {
    const input = join(work, "skimage", "data", name);
    for (const flip of [false, true]) {
      const out = `photo-${String(i * 2 + (flip ? 1 : 0)).padStart(2, "0")}.jpg`;
      let image = sharp(input).removeAlpha().toColourspace("srgb").resize(2048, 1365, { kernel: "lanczos3" });
      if (flip) image = image.flop();
      await image.sharpen({ sigma: 0.6 }).jpeg({ quality: 90 }).toFile(join(work, out));
      names.push(out);
      log(`photos: ${out} (${name}${flip ? ", mirrored" : ""})`);
    }
  }
  rmSync(join(work, "skimage"), { recursive: true, force: true });
  rmSync(join(work, wheel));
  writeFileSync(join(work, ".done"), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return { dir, names };
}
