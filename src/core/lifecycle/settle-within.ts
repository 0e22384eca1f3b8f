/**
 * Waits for `work` for at most `ms`: true if it resolved in time (a rejection in time is thrown),
 * false if the time ran out (`work` goes on; the caller decides what to do about it). The timer
 * never outlives the wait.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
