/** The user's input cannot be solved as given; the message says why, in one line. */
export class BadInputError extends Error {}

export const MAX_PROBLEM_CHARS = 2000;
