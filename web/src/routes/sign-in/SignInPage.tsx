import { Alert, Button, Container, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useRef, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { session } from '../../api/client';
import { ApiError, formErrors } from '../../api/problem';
import { useSession } from '../../api/useSession';
import { homePath } from '../../roles';

interface ComingFrom {
  from?: string;
  reason?: 'not-signed-in' | 'signed-out' | 'ended';
}

/** Why signing in failed, in words people can act on. */
export function signInFailure(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return 'Wrong email or password, or the account is disabled.';
  if (error instanceof ApiError && error.status === 429) {
    return `Too many failed attempts. Try again in ${error.retryAfterSeconds ?? 60} seconds.`;
  }
  return formErrors(error, []).message ?? 'Signing in failed.';
}

export default function SignInPage() {
  const state = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const comingFrom = (location.state ?? {}) as ComingFrom;
  const [failure, setFailure] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const email = useRef<HTMLInputElement>(null);
  const form = useForm({ initialValues: { email: '', password: '' } });

  useEffect(() => {
    document.title = 'Sign in · Patient management';
    email.current?.focus();
  }, []);

  if (state.status === 'signed-in' && !submitting) return <Navigate to={comingFrom.from ?? homePath(state)} replace />;

  const submit = form.onSubmit(async ({ email, password }) => {
    setFailure(undefined);
    setSubmitting(true);
    try {
      await session.signIn(email, password);
      const signedIn = session.getState();
      const home = signedIn.status === 'signed-in' ? homePath(signedIn) : '/';
      navigate(comingFrom.from ?? home, { replace: true });
    } catch (error) {
      setFailure(signInFailure(error));
      form.setFieldValue('password', '');
    } finally {
      setSubmitting(false);
    }
  });

  return (
    <Container size={420} py="xl" component="main">
      <Title order={1} size="h2" ta="center" mb="lg">
        Patient management
      </Title>
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={2} size="h3">
              Sign in
            </Title>
            {comingFrom.reason === 'ended' && (
              <Alert color="blue" title="Your session has ended">
                Sign in again to continue where you were.
              </Alert>
            )}
            {failure && (
              <Alert color="red" role="alert" title="Not signed in">
                {failure}
              </Alert>
            )}
            <TextInput
              ref={email}
              label="Email"
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps('email')}
            />
            <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
            <Button type="submit" loading={submitting} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
