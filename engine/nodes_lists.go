package engine

func registerLists(r *Registry) {}
