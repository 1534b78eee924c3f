/** Whether a process still runs (EPERM: it does, under another user, such as the embedded PostgreSQL). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
