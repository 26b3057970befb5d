// zod's mini build, which tree-shakes: about 40 KB in a bundle where the classic build, whose every schema
// carries every method, is 460 KB and about 25 ms of cold start. The classic build loads English messages
// by itself; this one is told to, so errors read the same ("Too small: expected number to be >=1").
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
// Thrown by `parse`, whichever build made the schema.
export { $ZodError as ZodError, type $ZodIssue as ZodIssue, toDotPath } from "zod/v4/core";
