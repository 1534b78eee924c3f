/** Staff accounts (admin): list them, create one with a role, disable or re-enable one. */
import { Alert, Button, Group, NativeSelect, Paper, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { formErrors } from '../../api/problem';
import type { components } from '../../api/schema';
import { useSession } from '../../api/useSession';
import { DataTable } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';

type User = components['schemas']['User'];
type UserCreate = components['schemas']['UserCreate'];

export const usersKey = ['/api/users'] as const;
const roles = ['clinician', 'analyst', 'admin'];

export default function UsersPage() {
  const users = useInfiniteQuery({
    queryKey: usersKey,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/users', { params: { query: { limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const list = users.data?.pages.flatMap((page) => page.users) ?? [];
  return (
    <>
      <PageTitle>Staff accounts</PageTitle>
      <NewAccount />
      <Title order={2} size="h3" mt="xl" mb="sm">
        Accounts
      </Title>
      {users.isError && (
        <Alert color="red" role="alert">
          {formErrors(users.error, []).message}
        </Alert>
      )}
      {users.isPending && <Text role="status">Loading accounts…</Text>}
      {list.length > 0 && (
        <DataTable
          label="Staff accounts"
          rows={list}
          rowKey={(user) => user.id}
          columns={[
            { header: 'Email', cell: (user) => user.email },
            { header: 'Role', cell: (user) => user.role },
            { header: 'Status', cell: (user) => (user.disabled ? 'Disabled' : 'Active') },
            { header: 'Action', cell: (user) => <AccountAction user={user} /> },
          ]}
        />
      )}
      {users.hasNextPage && (
        <Button variant="default" mt="sm" onClick={() => void users.fetchNextPage()} loading={users.isFetchingNextPage}>
          Show more accounts
        </Button>
      )}
    </>
  );
}

function AccountAction({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const state = useSession();
  const [message, setMessage] = useState<string>();
  const toggle = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: { disabled: !user.disabled } })),
    onSuccess: () => {
      setMessage(undefined);
      void queryClient.invalidateQueries({ queryKey: usersKey });
    },
    onError: (error) => setMessage(formErrors(error, []).message),
  });
  const isMe = state.status === 'signed-in' && state.userId === user.id;
  return (
    <>
    {isMe ? (
      <Text size="sm">You</Text>
    ) : (
      <Button
        size="xs"
        variant="outline"
        color={user.disabled ? 'blue' : 'red.9'}
        aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`}
        onClick={() => toggle.mutate()}
        loading={toggle.isPending}
      >
        {user.disabled ? 'Enable' : 'Disable'}
      </Button>
    )}
    {message && (
      <Text size="sm" c="red.9" role="alert">
        {message}
      </Text>
    )}
    </>
  );
}

function NewAccount() {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string>();
  const [created, setCreated] = useState<string>();
  const form = useForm<UserCreate>({ initialValues: { email: '', password: '', role: 'clinician' } });
  const create = useMutation({
    mutationFn: (values: UserCreate) => unwrap(api.POST('/api/users', { body: values })),
    onSuccess: (user) => {
      form.reset();
      setCreated(`Created ${user.email} (${user.role}).`);
      void queryClient.invalidateQueries({ queryKey: usersKey });
    },
    onError: (error) => {
      const { fields, message } = formErrors(error, ['email', 'password', 'role'] as const, 'email');
      form.setErrors(fields);
      setMessage(message);
    },
  });
  return (
    <Paper withBorder p="md">
      <form
        noValidate
        aria-labelledby="new-account-heading"
        onSubmit={form.onSubmit((values) => {
          setMessage(undefined);
          setCreated(undefined);
          create.mutate(values);
        })}
      >
        <Stack>
          <Title order={2} size="h3" id="new-account-heading">
            New staff account
          </Title>
          {message && (
            <Alert color="red" role="alert" title="Not created">
              {message}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Email" type="email" required autoComplete="off" {...form.getInputProps('email')} />
            <PasswordInput label="Password" description="At least 8 characters" required autoComplete="new-password" {...form.getInputProps('password')} />
            <NativeSelect label="Role" data={roles} {...form.getInputProps('role')} />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create account
            </Button>
            <Text size="sm" role="status">
              {created ?? ''}
            </Text>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
