import type { Admin } from 'kafkajs';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every group is Stable with a member (or the time is up: the run then shows the delay). */
export const groupsJoined = async (admin: Admin, groups: readonly string[], withinMs: number): Promise<void> => {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const described = await admin.describeGroups([...groups]).catch(() => ({ groups: [] }));
    const stable = described.groups.filter((g) => g.state === 'Stable' && g.members.length > 0);
    if (stable.length === groups.length) return;
    await sleep(100);
  }
};
