/** Stream defaults (NestOS feed), in a leaf module so flag specs can show them cheaply. */
export const DEFAULT_STREAM_BASE_URL = 'https://nestos.org.cn/NestOS-release/streams/';
export const DEFAULT_STREAM = 'stable';
