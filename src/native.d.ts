// Native libraries imported `with { type: "file" }` resolve to a path (on disk in development,
// inside the executable's embedded filesystem when compiled).
declare module "*.so" {
  const path: string;
  export default path;
}
