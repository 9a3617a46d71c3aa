package engine

// ConcurrentRun returns o with the concurrent scheduler forced: a goroutine
// per node from the start, as plans that cannot start sequential run.
func ConcurrentRun(o RunOptions) RunOptions {
	o.scheduler = schedConcurrent
	return o
}

// StartsSequential reports whether runs of p start on one goroutine
// (sequential.go).
func (p *Plan) StartsSequential() bool { return p.seq != nil }
