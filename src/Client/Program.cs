Console.WriteLine("arraydict: the command-line program arrives with the client SDK.");
