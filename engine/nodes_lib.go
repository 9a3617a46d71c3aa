package engine

func registerLib(r *Registry) {}
