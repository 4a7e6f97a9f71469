import { defineConfig } from "vite";

// One static build for every stack: the page reads the services' addresses from
// config.json at start, so nothing about a deployment is baked in here.
export default defineConfig({
  base: "./",
  build: { target: "es2022", sourcemap: true },
});
