// The bare baseline: a workflow that does nothing, so its rate is what the Temporal server and one worker manage.
export async function noop(): Promise<void> {}
