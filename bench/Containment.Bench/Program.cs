Console.WriteLine("No benchmarks yet.");
return 0;
