import middy from '@middy/core';
import { idempotent } from '../../lib/index.js';
import { publishToApi } from './post-to-api.js';

export const handler = middy(publishToApi).use(idempotent());
