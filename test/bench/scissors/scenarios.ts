/** imgproxy's published benchmark (fit into 512×512, JPEG q80) and a blog thumbnail (cover 300×200, q80). */
export const scenarios = {
  fit512: { width: 512, height: 512, fit: "inside" as const, label: "fit 512×512 q80" },
  cover300: { width: 300, height: 200, fit: "cover" as const, label: "cover 300×200 q80" },
};
export type ScenarioName = keyof typeof scenarios;
