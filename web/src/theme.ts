import { createTheme, type CSSVariablesResolver, type MantineColorSchemeManager } from '@mantine/core';

/** Darker shades than Mantine's defaults so that text on buttons, links and errors meets WCAG AA contrast. */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 9,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
  },
  dark: {},
});

/**
 * The console has one colour scheme (light): nothing to remember, so Mantine's default manager, which reads
 * localStorage on every page load (slow the first time a page touches storage), is not used.
 */
export const colorSchemeManager: MantineColorSchemeManager = {
  get: () => 'light',
  set: () => undefined,
  subscribe: () => undefined,
  unsubscribe: () => undefined,
  clear: () => undefined,
};
