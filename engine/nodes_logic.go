package engine

func registerLogic(r *Registry) {}
