package engine

func registerJSONLib(r *Registry) {}
