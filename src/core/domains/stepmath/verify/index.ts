export * from './answer';
export * from './checker';
export { findEquations } from './equations';
