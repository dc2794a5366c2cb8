using EdgeAgent.Host.Cli;

// Composition only: the verbs live in Cli/.
return await Verbs.RunAsync(args).ConfigureAwait(false);
