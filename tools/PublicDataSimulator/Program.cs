// Placeholder: the public data simulator is being written (issue 3).
Console.Error.WriteLine("PublicDataSimulator: not implemented yet");
return 1;
