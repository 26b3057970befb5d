// libuv's thread pool runs every sharp job, and dns.lookup for source hosts too. libuv sizes it once, on
// first use, from UV_THREADPOOL_SIZE (default 4): with as many images as pool threads, a lookup would wait
// behind them. This module is main.ts' first import, so it runs before anything can touch the pool.
import { availableParallelism } from "node:os";
import { defaultConcurrency } from "./config.ts";

const processing = Number(process.env.SCISSORS_CONCURRENCY) || defaultConcurrency(availableParallelism());
process.env.UV_THREADPOOL_SIZE ??= String(processing + 2);
