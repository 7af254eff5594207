// Placeholder: the local Functions host is being written (issue 2).
Console.Error.WriteLine("FunctionsHost: not implemented yet");
return 1;
