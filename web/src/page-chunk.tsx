/**
 * A page in a chunk of its own, like React.lazy, that can be fetched ahead (`preload`). Once fetched it renders
 * without suspending: React holds back content that replaces a Suspense fallback for up to 300 ms (so that
 * spinners do not flicker), which would delay the first paint of a page whose chunk is already here.
 */
import { lazy, useState, type ComponentType } from 'react';

export type PageChunk = ComponentType & { preload(): Promise<void> };

export function pageChunk(load: () => Promise<{ default: ComponentType }>): PageChunk {
  let loaded: ComponentType | undefined;
  const remember = (module: { default: ComponentType }) => {
    loaded = module.default;
    return module;
  };
  const Lazy = lazy(() => load().then(remember));
  function Page() {
    // Chosen once per mount: switching between the two later would remount the page and lose its state.
    const [Component] = useState<ComponentType>(() => loaded ?? Lazy);
    return <Component />;
  }
  return Object.assign(Page, { preload: () => load().then(remember, () => undefined).then(() => undefined) });
}
