package engine

func registerDicts(r *Registry) {}
