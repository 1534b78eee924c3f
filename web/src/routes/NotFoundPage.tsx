import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageTitle } from '../components/PageTitle';

export default function NotFoundPage() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <Text>
        There is no such page. <Anchor component={Link} to="/">Go to the start page</Anchor>.
      </Text>
    </>
  );
}
