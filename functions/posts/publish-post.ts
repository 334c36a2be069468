import { newPostId, validateText, type Post } from './post.js';
import { insertPost } from './posts-repository.js';

/**
 * Publishes a post for an owner: validates the text, then writes the post with a new id. Every way of
 * publishing (the HTTP API, the queue consumer and the webhook) goes through here.
 *
 * @throws InvalidPostError when the text is not a string of 1 to 2,000 characters.
 */
export async function publishPost(input: { owner: string; text: unknown }): Promise<Post> {
  const text = validateText(input.text);
  const now = Date.now();
  const post: Post = { id: newPostId(now), text, createdAt: new Date(now).toISOString() };
  await insertPost(input.owner, post);
  return post;
}
