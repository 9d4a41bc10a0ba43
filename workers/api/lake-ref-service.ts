/**
 * The lake worker's ref operations: branches and tags, creating, deleting, protecting, the ref
 * log, deleted branches and restoring them. Worker code only.
 */
import { commitOf, logItem, refInfo, type Handlers } from './lake-handlers.ts';

type RefOps =
  | 'branches'
  | 'tags'
  | 'log'
  | 'createBranch'
  | 'deleteBranch'
  | 'tag'
  | 'deleteTag'
  | 'protect'
  | 'refLog'
  | 'deletedBranches'
  | 'restoreBranch';

/** The ref operations of {@link LakeMethods}. */
export const refHandlers: Handlers<RefOps> = {
  async branches({ lake }, dataset) {
    await lake.dataset(dataset);
    return (await lake.branches(dataset)).map(refInfo);
  },

  async tags({ lake }, dataset) {
    await lake.dataset(dataset);
    return (await lake.tags(dataset)).map(refInfo);
  },

  async log({ lake }, dataset, rev, limit) {
    const [hash] = await commitOf(lake, dataset, rev);
    return (await lake.log(dataset, hash, limit)).map((e) => logItem(e.hash, e.commit));
  },

  async createBranch({ lake }, dataset, name, from) {
    return refInfo(await lake.createBranch(dataset, name, from));
  },

  async deleteBranch({ lake }, dataset, name) {
    await lake.deleteBranch(dataset, name);
  },

  async tag({ lake }, dataset, name, rev) {
    return refInfo(await lake.tag(dataset, name, rev));
  },

  async deleteTag({ lake }, dataset, name) {
    await lake.deleteTag(dataset, name);
  },

  async protect({ lake }, dataset, branch, on) {
    return refInfo(await lake.protect(dataset, branch, on));
  },

  async refLog({ lake }, dataset) {
    return lake.refLog(dataset);
  },

  async deletedBranches({ lake }, dataset) {
    return lake.deletedBranches(dataset);
  },

  async restoreBranch({ lake }, dataset, name, as) {
    return refInfo(await lake.restoreBranch(dataset, name, as ?? name));
  },
};
