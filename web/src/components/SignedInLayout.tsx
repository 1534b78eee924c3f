/** Everything behind sign-in: the header with the role's navigation and Sign out, and the page below it. */
import { Anchor, Box, Button, Container, Group, Text } from '@mantine/core';
import { Suspense } from 'react';
import { NavLink, Navigate, Outlet, useLocation } from 'react-router';
import { session } from '../api/client';
import { useSession } from '../api/useSession';
import { Loading } from './Loading';
import { navigationFor } from '../roles';

export default function SignedInLayout() {
  const state = useSession();
  const location = useLocation();
  if (state.status !== 'signed-in') {
    // Back to sign-in; when the session ended by itself, come back here afterwards (kept in history state, not the URL).
    const from = state.status === 'signed-out' && state.reason === 'signed-out' ? undefined : location.pathname + location.search;
    const reason = state.status === 'signed-out' ? state.reason : undefined;
    return <Navigate to="/sign-in" replace state={{ from, reason }} />;
  }
  return (
    <>
      <Box component="header" px="md" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Group gap="lg" wrap="wrap">
            <Text fw={700} size="lg">
              Patient management
            </Text>
            <Box component="nav" aria-label="Main">
              <Group gap="md" wrap="wrap">
                {navigationFor(state.role).map((item) => (
                  <Anchor key={item.path} component={NavLink} to={item.path} fw={500}>
                    {item.label}
                  </Anchor>
                ))}
              </Group>
            </Box>
          </Group>
          <Group gap="sm">
            <Text size="sm" c="gray.7">
              Role: {state.role}
            </Text>
            <Button variant="outline" size="xs" onClick={() => void session.signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </Box>
      <Container component="main" size="lg" py="md">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </Container>
    </>
  );
}
