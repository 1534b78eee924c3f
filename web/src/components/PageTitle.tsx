import { Title } from '@mantine/core';
import { useEffect, useRef } from 'react';

/**
 * The page's heading. It names the browser tab and takes the focus when the page opens, so that keyboard and
 * screen-reader users start on the new page rather than on the link they left.
 */
export function PageTitle({ children }: { children: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · Patient management`;
  }, [children]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <Title order={1} size="h2" ref={heading} tabIndex={-1} mb="md" style={{ outline: 'none' }}>
      {children}
    </Title>
  );
}
