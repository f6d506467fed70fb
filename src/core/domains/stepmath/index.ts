export * from './expr';
export * from './parse';
export * from './problem';
export * from './solution';
export * from './generate';
export { Rng } from '../../rng';
export { TEMPLATES } from './templates';
