// The one Vite feature the renderer uses outside the DOM types: `import.meta.glob` (bundles assets/lessons/).
interface ImportMeta {
  glob<T>(pattern: string | readonly string[], options: { readonly query?: string; readonly import?: string; readonly eager: true }): Record<string, T>;
}
