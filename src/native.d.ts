// Native libraries imported `with { type: "file" }` resolve to a path (on disk in development,
// inside the executable's embedded filesystem when compiled).
declare module "*.so" {
  const path: string;
  export default path;
}

// Text imports of the console's files (src/console/assets.ts): the icon from the sources, the
// bundle from dist/console/ (built by scripts/build.ts before the executable).
declare module "*.svg" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*/dist/console/app.js" {
  const text: string;
  export default text;
}
