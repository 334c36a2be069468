/**
 * The posts table's layout, shared by the handlers, the local runner and the CDK stack.
 * Posts are keyed by owner first, so one Query lists a caller's posts and no read can reach another
 * owner's posts.
 */

/** Environment variable that names the posts table. */
export const POSTS_TABLE_VARIABLE = 'POSTS_TABLE_NAME';

/** Partition key (string): the API key id of the caller who published the post. */
export const POST_OWNER_ATTRIBUTE = 'owner';

/** Sort key (string): the post id, time-ordered so a Query lists posts oldest first. */
export const POST_ID_ATTRIBUTE = 'id';
