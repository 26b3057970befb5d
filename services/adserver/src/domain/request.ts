import type { Device } from "./catalog.ts";

/** A parsed, valid ad request. */
export interface AdRequest {
  slot: string;
  uid: string;
  device: Device;
  country: string;
  /** Narrows the slot's sizes to one, when the page asks for a given size. */
  size?: string;
}
