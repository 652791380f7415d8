// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom lacks these browser APIs; @grafana/ui's Select menu and scroll containers use them.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
if (!global.IntersectionObserver) {
  global.IntersectionObserver = NoopObserver;
}
if (!global.ResizeObserver) {
  global.ResizeObserver = NoopObserver;
}
