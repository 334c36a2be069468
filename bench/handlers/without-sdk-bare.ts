import middy from '@middy/core';
import { publishToApi } from './post-to-api.js';

export const handler = middy(publishToApi);
