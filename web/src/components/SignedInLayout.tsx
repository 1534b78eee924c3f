/**
 * Everything behind sign-in: the header with the role's navigation and Sign out, and the page below it. On narrow
 * screens (below Mantine's `sm` breakpoint) the navigation folds away behind a menu button; Sign out stays in view.
 */
import { Anchor, Box, Burger, Button, Container, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { NavLink, Navigate, Outlet, useLocation } from 'react-router';
import { session } from '../api/client';
import { useSession } from '../api/useSession';
import { Loading } from './Loading';
import { navigationFor } from '../roles';

export default function SignedInLayout() {
  const state = useSession();
  const location = useLocation();
  const [menuOpen, { toggle: toggleMenu, close: closeMenu }] = useDisclosure(false);
  // Following a link closes the menu (the new page's heading takes the focus).
  useEffect(() => closeMenu(), [location.pathname, closeMenu]);
  if (state.status === 'restoring') return <Loading />;
  if (state.status !== 'signed-in') {
    // Back to sign-in; when the session ended by itself, come back here afterwards (kept in history state, not the URL).
    const from = state.status === 'signed-out' && state.reason === 'signed-out' ? undefined : location.pathname + location.search;
    const reason = state.status === 'signed-out' ? state.reason : undefined;
    return <Navigate to="/sign-in" replace state={{ from, reason }} />;
  }
  return (
    <>
      <Box component="header" px="md" py="sm" className="pm-header">
        <Burger
          className="pm-header-burger"
          hiddenFrom="sm"
          size="sm"
          opened={menuOpen}
          onClick={toggleMenu}
          aria-label="Navigation"
          aria-expanded={menuOpen}
          aria-controls="pm-menu"
        />
        <Text fw={700} size="lg" className="pm-header-title">
          Patient management
        </Text>
        <div id="pm-menu" className="pm-header-menu" data-open={menuOpen || undefined}>
          <Box component="nav" aria-label="Main">
            <Group gap="md" className="pm-header-links">
              {navigationFor(state).map((item) => (
                <Anchor key={item.path} component={NavLink} to={item.path} fw={500}>
                  {item.label}
                </Anchor>
              ))}
            </Group>
          </Box>
          <Text size="sm" c="gray.7">
            Role: {state.role}
          </Text>
        </div>
        <Button variant="outline" size="xs" className="pm-header-sign-out" onClick={() => void session.signOut()}>
          Sign out
        </Button>
      </Box>
      <Container component="main" size="lg" py="md">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </Container>
    </>
  );
}
