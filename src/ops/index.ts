export * from './elementwise.js';
export * from './matmul.js';
